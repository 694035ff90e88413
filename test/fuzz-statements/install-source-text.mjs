// Function.prototype.toString as the preload leaves it, before anything else of the test loads.
import { installSourceText } from '../../dist/agent/runtime/source-text.js';

installSourceText();
