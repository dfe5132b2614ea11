// A test wallet: EIP-1193 providers announced by EIP-6963, injected by Playwright.
// Every request goes to the Python test process (window.__coopTestWalletRequest,
// an exposed binding), which signs with test keys like a real wallet and forwards
// reads to the node. The Python side may ask to emit events (chainChanged after
// a switch); tests emit others through window.__coopTestWallets.emit(...).
(() => {
  const wallets = __WALLETS__;
  const ICON =
    "data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciIHZpZXdCb3g9IjAgMCAxNiAxNiI+PHJlY3Qgd2lkdGg9IjE2IiBoZWlnaHQ9IjE2IiByeD0iMyIgZmlsbD0iIzBkOTQ4OCIvPjwvc3ZnPg==";
  const registry = {};
  for (const info of wallets) {
    const listeners = {};
    const emit = (name, value) => {
      for (const listener of (listeners[name] || []).slice()) listener(value);
    };
    const provider = {
      isTestWallet: true,
      request: async ({ method, params }) => {
        // A wallet whose popup the person left open: the request never settles.
        if ((window.__coopTestWalletHangs || []).includes(method)) return new Promise(() => {});
        const reply = await window.__coopTestWalletRequest(info.id, method, params === undefined ? [] : params);
        for (const [name, value] of reply.events || []) setTimeout(() => emit(name, value), 0);
        if (reply.error) {
          const error = new Error(reply.error.message);
          error.code = reply.error.code;
          if (reply.error.data !== undefined) error.data = reply.error.data;
          throw error;
        }
        return reply.result;
      },
      on(name, listener) {
        (listeners[name] = listeners[name] || []).push(listener);
        return provider;
      },
      removeListener(name, listener) {
        listeners[name] = (listeners[name] || []).filter((l) => l !== listener);
        return provider;
      },
    };
    registry[info.id] = { provider, emit };
    const detail = Object.freeze({
      info: Object.freeze({ uuid: info.uuid, name: info.name, icon: ICON, rdns: info.rdns }),
      provider,
    });
    const announce = () => window.dispatchEvent(new CustomEvent("eip6963:announceProvider", { detail }));
    window.addEventListener("eip6963:requestProvider", announce);
    announce();
    if (info.legacy) window.ethereum = provider;
  }
  window.__coopTestWallets = {
    emit: (id, name, value) => registry[id].emit(name, value),
  };
})();
