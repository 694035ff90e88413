import { readFileSync } from 'node:fs';
import { Client } from './db.ts';

const client = Client.connect();
const rows = await Promise.all([client.query('ada, grace'), client.query('linus')]);
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
console.log(pkg.name, rows.flat().map((r) => r.name).join(' '));
