/**
 * A module object that loads the real module on first use: every property read, `in`, key listing
 * or write goes to the real module, loaded then (see ../jestResolver.js for which modules and why).
 */
module.exports = function lazyModule(load, { esModule = false } = {}) {
  let real;
  const target = () => (real ??= load());
  return new Proxy(
    {},
    {
      get: (_, key) => (esModule && key === "__esModule" && real === undefined ? true : target()[key]),
      has: (_, key) => key in target(),
      ownKeys: () => Reflect.ownKeys(target()),
      getOwnPropertyDescriptor: (_, key) => {
        const d = Object.getOwnPropertyDescriptor(target(), key);
        return d && { ...d, configurable: true };
      },
      set: (_, key, value) => Reflect.set(target(), key, value),
      defineProperty: (_, key, d) => Reflect.defineProperty(target(), key, d),
      deleteProperty: (_, key) => Reflect.deleteProperty(target(), key),
      getPrototypeOf: () => Object.getPrototypeOf(target()),
    },
  );
};
