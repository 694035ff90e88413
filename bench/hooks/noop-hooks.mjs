// The floor for any in-thread module hook: module.registerHooks() with a
// resolve and a load hook that only call the next hook (Node >= 22.15).
import module from 'node:module';

module.registerHooks({
  resolve: (specifier, context, next) => next(specifier, context),
  load: (url, context, next) => next(url, context),
});
