/*
 * Coop Dashboard wallet bridge: the only code that talks to the browser wallet.
 *
 * The Python backend drives it with rx.call_script(...): every function returns
 * a Promise that never rejects and resolves to plain JSON, either
 *   {ok: true, ...}  or  {ok: false, code, message, data}
 * where `code` is the wallet's EIP-1193 / JSON-RPC error code (4001 rejected,
 * 4902 unknown chain, -32002 request pending, ...) or one of the bridge's own
 * names ("no_wallet", "choose_wallet", "wrong_chain", "account_mismatch", ...).
 * The backend turns those into sentences (services/wallet_errors.py).
 *
 * Wallets are found by EIP-6963 (each announces itself; several can coexist),
 * with window.ethereum as the fallback for wallets that do not announce.
 * Wallet events (accountsChanged, chainChanged) reach the backend through
 * nextEvent(): the backend keeps one call pending; it resolves at the next
 * change and the backend calls it again (a long poll over rx.call_script).
 */
(function () {
  "use strict";
  if (window.coopWallet) return;

  // The wallet the person chose, so a reload reconnects to it without asking.
  const CHOSEN_KEY = "coop.wallet.chosen";
  // Wallets answer eip6963:requestProvider synchronously in practice; this is slack.
  const DISCOVERY_MS = 300;
  const LEGACY_ID = "injected";

  const announced = new Map(); // id (rdns, else uuid) -> {id, name, icon, provider}
  let current = null; // the chosen entry
  let account = null; // lower-case as wallets report it; the backend checksums
  let chainId = null; // integer
  let dirty = false; // a wallet event happened that no nextEvent() has reported yet
  let waiter = null; // resolve() of the pending nextEvent() promise
  let discovery = null; // the first discovery round, shared by concurrent callers
  let restoredOnce = false; // restore() ran in this page before
  // The page's restore() while it runs: a request that arrives meanwhile (a click
  // right after a reload) waits for it instead of finding no wallet yet.
  let restoring = null;

  // ---------- results ----------
  function ok(fields) {
    return Object.assign({ ok: true }, fields || {});
  }

  function fail(code, message, data) {
    return { ok: false, code: code, message: String(message || ""), data: data || {} };
  }

  function findHex(value, depth) {
    // Revert data hides at different depths depending on the wallet and node.
    if (depth > 4 || value == null) return null;
    if (typeof value === "string") return /^0x[0-9a-fA-F]*$/.test(value) && value.length >= 10 ? value : null;
    if (typeof value !== "object") return null;
    for (const key of ["data", "originalError", "cause", "error"]) {
      const found = findHex(value[key], depth + 1);
      if (found) return found;
    }
    return null;
  }

  function fromError(error) {
    const err = error || {};
    // MetaMask Mobile nests the real code (e.g. 4902) in data.originalError.
    const nested = err.data && err.data.originalError ? err.data.originalError : null;
    let code = err.code;
    if (nested && typeof nested.code === "number" && (code === -32603 || code === undefined)) {
      code = nested.code;
    }
    let message = err.message || (nested && nested.message) || String(err);
    if (/unrecognized chain/i.test(message)) code = 4902;
    if (typeof code !== "number" && typeof code !== "string") code = "wallet_error";
    message = String(message).slice(0, 500);
    const data = {};
    const revertData = findHex(err.data, 0) || findHex(err.cause, 0);
    if (revertData) data.revertData = revertData;
    return fail(code, message, data);
  }

  // ---------- discovery ----------
  function entryFromAnnouncement(detail) {
    const info = detail.info || {};
    return {
      id: String(info.rdns || info.uuid || "announced-" + announced.size),
      name: String(info.name || "Wallet"),
      icon: typeof info.icon === "string" && info.icon.startsWith("data:image/") ? info.icon : "",
      provider: detail.provider,
    };
  }

  window.addEventListener("eip6963:announceProvider", function (event) {
    const detail = event.detail;
    if (!detail || !detail.provider || typeof detail.provider.request !== "function") return;
    const entry = entryFromAnnouncement(detail);
    announced.set(entry.id, entry);
  });

  function legacyEntry() {
    const injected = window.ethereum;
    if (!injected || typeof injected.request !== "function") return null;
    let name = "Browser wallet";
    if (injected.isRabby) name = "Rabby";
    else if (injected.isCoinbaseWallet) name = "Coinbase Wallet";
    else if (injected.isBraveWallet) name = "Brave Wallet";
    else if (injected.isMetaMask) name = "MetaMask";
    return { id: LEGACY_ID, name: name, icon: "", provider: injected };
  }

  function discover() {
    if (!discovery) {
      discovery = new Promise(function (resolve) {
        window.dispatchEvent(new Event("eip6963:requestProvider"));
        setTimeout(resolve, DISCOVERY_MS);
      });
    } else {
      // Later calls ask again (a wallet may have been enabled) without waiting.
      window.dispatchEvent(new Event("eip6963:requestProvider"));
    }
    return discovery.then(function () {
      const entries = Array.from(announced.values());
      // A wallet that announces itself also injects window.ethereum: list the
      // legacy entry only when nothing announced, or it shows up twice.
      if (entries.length === 0) {
        const legacy = legacyEntry();
        if (legacy) entries.push(legacy);
      }
      return entries;
    });
  }

  function describe(entry) {
    return { id: entry.id, name: entry.name, icon: entry.icon };
  }

  // ---------- the chosen wallet ----------
  function snapshot() {
    return {
      wallet: current ? describe(current) : null,
      account: account,
      chainId: chainId,
      origin: window.location.origin,
    };
  }

  function notify() {
    if (waiter) {
      const resolve = waiter;
      waiter = null;
      dirty = false;
      resolve(ok(Object.assign({ event: true }, snapshot())));
    } else {
      dirty = true;
    }
  }

  function onAccountsChanged(accounts) {
    account = Array.isArray(accounts) && accounts.length > 0 ? String(accounts[0]).toLowerCase() : null;
    notify();
  }

  function onChainChanged(id) {
    chainId = parseChainId(id);
    notify();
  }

  function onDisconnect() {
    notify();
  }

  function parseChainId(value) {
    const parsed = typeof value === "number" ? value : parseInt(String(value), String(value).startsWith("0x") ? 16 : 10);
    return Number.isFinite(parsed) ? parsed : null;
  }

  function select(entry) {
    if (current && current.provider === entry.provider) {
      current = entry;
      return;
    }
    detach();
    current = entry;
    const provider = entry.provider;
    if (typeof provider.on === "function") {
      provider.on("accountsChanged", onAccountsChanged);
      provider.on("chainChanged", onChainChanged);
      provider.on("disconnect", onDisconnect);
    }
  }

  function detach() {
    if (!current) return;
    const provider = current.provider;
    const remove = provider.removeListener || provider.off;
    if (typeof remove === "function") {
      remove.call(provider, "accountsChanged", onAccountsChanged);
      remove.call(provider, "chainChanged", onChainChanged);
      remove.call(provider, "disconnect", onDisconnect);
    }
    current = null;
  }

  function request(method, params) {
    if (!current) return Promise.reject({ code: "not_connected", message: "no wallet connected" });
    const args = params === undefined ? { method: method } : { method: method, params: params };
    return current.provider.request(args);
  }

  async function readState() {
    const accounts = await request("eth_accounts");
    account = Array.isArray(accounts) && accounts.length > 0 ? String(accounts[0]).toLowerCase() : null;
    chainId = parseChainId(await request("eth_chainId"));
  }

  function remember(id) {
    try {
      window.localStorage.setItem(CHOSEN_KEY, id);
    } catch (e) {
      /* storage disabled: the person picks again after a reload */
    }
  }

  function remembered() {
    try {
      return window.localStorage.getItem(CHOSEN_KEY);
    } catch (e) {
      return null;
    }
  }

  async function afterRestore() {
    if (restoring) await restoring;
  }

  async function requireAccount(expected) {
    await afterRestore();
    if (!current || !account) return fail("not_connected", "no wallet connected");
    if (expected && account !== String(expected).toLowerCase()) {
      return fail("account_mismatch", "another account is selected", { account: account, expected: expected });
    }
    return null;
  }

  async function reconnect() {
    if (current) {
      try {
        await readState();
      } catch (error) {
        return fromError(error);
      }
      return ok(snapshot());
    }
    const chosen = remembered();
    if (!chosen) return ok(snapshot());
    const entries = await discover();
    const entry = entries.find(function (e) {
      return e.id === chosen;
    });
    if (!entry) return ok(snapshot());
    select(entry);
    try {
      await readState();
    } catch (error) {
      detach();
      return ok(snapshot());
    }
    if (!account) detach();
    return ok(snapshot());
  }

  function utf8Hex(text) {
    const bytes = new TextEncoder().encode(text);
    let hex = "0x";
    for (const byte of bytes) hex += byte.toString(16).padStart(2, "0");
    return hex;
  }

  // ---------- the API the backend calls ----------
  const api = {
    /** The wallets installed in this browser: {ok, wallets: [{id, name, icon}]}. */
    listWallets: async function () {
      return ok({ wallets: (await discover()).map(describe) });
    },

    /**
     * Connect (eth_requestAccounts). Without `walletId` and with several wallets
     * installed the answer is {ok: false, code: "choose_wallet", data: {wallets}}.
     */
    connect: async function (walletId) {
      const entries = await discover();
      if (entries.length === 0) return fail("no_wallet", "no wallet installed");
      let entry = null;
      if (walletId) {
        entry = entries.find(function (e) {
          return e.id === walletId;
        });
        if (!entry) return fail("unknown_wallet", "that wallet is not available", { wallets: entries.map(describe) });
      } else if (entries.length === 1) {
        entry = entries[0];
      } else {
        return fail("choose_wallet", "several wallets are installed", { wallets: entries.map(describe) });
      }
      select(entry);
      try {
        await request("eth_requestAccounts");
        await readState();
      } catch (error) {
        return fromError(error);
      }
      if (!account) return fail("not_connected", "the wallet shared no account");
      remember(entry.id);
      return ok(snapshot());
    },

    /**
     * Reconnect silently after a reload to the wallet chosen before (eth_accounts
     * never opens a prompt); {ok: true, account: null} when there is none.
     * `fresh` is true on the first call in this page: a reload happened, so any
     * wallet request the backend was waiting for died with the previous page.
     */
    restore: async function () {
      const fresh = !restoredOnce;
      restoredOnce = true;
      restoring = reconnect();
      try {
        const result = await restoring;
        result.fresh = fresh;
        return result;
      } finally {
        restoring = null;
      }
    },

    /**
     * Forget the chosen wallet in this browser (the wallet itself keeps its
     * permission). Not reported through nextEvent(): the backend asked for it.
     */
    disconnect: async function () {
      detach();
      account = null;
      chainId = null;
      try {
        window.localStorage.removeItem(CHOSEN_KEY);
      } catch (e) {
        /* nothing stored */
      }
      return ok(snapshot());
    },

    /**
     * Resolves at the next wallet change with the new snapshot. A newer call
     * supersedes a pending one (which resolves {ok: true, superseded: true}), so
     * exactly one watcher is ever armed per page.
     */
    nextEvent: function () {
      if (waiter) {
        const previous = waiter;
        waiter = null;
        previous(ok({ superseded: true }));
      }
      if (dirty) {
        dirty = false;
        return Promise.resolve(ok(Object.assign({ event: true }, snapshot())));
      }
      return new Promise(function (resolve) {
        waiter = resolve;
      });
    },

    /**
     * Switch the wallet to `chain.chainId`, adding the chain first when the wallet
     * does not know it (error 4902): chain = {chainId, chainName, rpcUrl}.
     */
    switchChain: async function (chain) {
      await afterRestore();
      if (!current) return fail("not_connected", "no wallet connected");
      const hexId = "0x" + Number(chain.chainId).toString(16);
      try {
        await request("wallet_switchEthereumChain", [{ chainId: hexId }]);
      } catch (error) {
        const problem = fromError(error);
        if (problem.code !== 4902) return problem;
        try {
          await request("wallet_addEthereumChain", [
            {
              chainId: hexId,
              chainName: chain.chainName,
              rpcUrls: [chain.rpcUrl],
              nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
            },
          ]);
          // Most wallets switch on add; asking again is a no-op for those.
          await request("wallet_switchEthereumChain", [{ chainId: hexId }]);
        } catch (addError) {
          return fromError(addError);
        }
      }
      try {
        chainId = parseChainId(await request("eth_chainId"));
      } catch (error) {
        return fromError(error);
      }
      if (chainId !== Number(chain.chainId)) {
        return fail("wrong_chain", "the wallet did not switch", { chainId: chainId });
      }
      return ok(snapshot());
    },

    /** personal_sign (EIP-191) of a UTF-8 `message` by `address`: {ok, signature}. */
    personalSign: async function (message, address) {
      const problem = await requireAccount(address);
      if (problem) return problem;
      try {
        const signature = await request("personal_sign", [utf8Hex(message), address]);
        return ok({ signature: signature });
      } catch (error) {
        return fromError(error);
      }
    },

    /** eth_signTypedData_v4 (EIP-712) of `typedData` (an object) by `address`. */
    signTypedData: async function (address, typedData) {
      const problem = await requireAccount(address);
      if (problem) return problem;
      try {
        const signature = await request("eth_signTypedData_v4", [address, JSON.stringify(typedData)]);
        return ok({ signature: signature });
      } catch (error) {
        return fromError(error);
      }
    },

    /**
     * eth_sendTransaction of `tx` (built by the server) after checking the wallet
     * is on `expectedChainId` with tx.from selected: {ok, hash}.
     */
    sendTransaction: async function (tx, expectedChainId) {
      const problem = await requireAccount(tx.from);
      if (problem) return problem;
      try {
        chainId = parseChainId(await request("eth_chainId"));
      } catch (error) {
        return fromError(error);
      }
      if (chainId !== Number(expectedChainId)) {
        return fail("wrong_chain", "the wallet is on another chain", { chainId: chainId });
      }
      try {
        const hash = await request("eth_sendTransaction", [tx]);
        return ok({ hash: hash });
      } catch (error) {
        return fromError(error);
      }
    },
  };

  window.coopWallet = Object.freeze(api);
  // Ask wallets to announce now, so the first click finds them immediately.
  window.dispatchEvent(new Event("eip6963:requestProvider"));
})();
