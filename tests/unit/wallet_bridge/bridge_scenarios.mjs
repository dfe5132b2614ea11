// Runs assets/wallet_bridge.js in fresh node VM contexts (a minimal `window`)
// against scripted EIP-1193 providers, and prints what each scenario observed
// as JSON for test_bridge.py to assert on. Scenarios run concurrently: each
// waits for the bridge's EIP-6963 discovery window.
import { readFileSync } from "node:fs";
import vm from "node:vm";

const BRIDGE = readFileSync(process.argv[2], "utf8");

function makeProvider({ accounts = ["0xAbC0000000000000000000000000000000000001"], chainId = "0x7a69", handlers = {}, flags = {} } = {}) {
  const listeners = {};
  const calls = [];
  const provider = {
    ...flags,
    calls,
    emit(name, value) {
      for (const listener of listeners[name] || []) listener(value);
    },
    on(name, listener) {
      (listeners[name] = listeners[name] || []).push(listener);
    },
    removeListener(name, listener) {
      listeners[name] = (listeners[name] || []).filter((l) => l !== listener);
    },
    async request({ method, params }) {
      calls.push([method, params ?? null]);
      if (handlers[method]) return handlers[method](params, provider);
      if (method === "eth_requestAccounts" || method === "eth_accounts") return accounts;
      if (method === "eth_chainId") return chainId;
      throw { code: 4200, message: `unsupported ${method}` };
    },
  };
  return provider;
}

function newBridge({ announced = [], legacy = null, storage = new Map() } = {}) {
  const window = new EventTarget();
  window.location = { origin: "http://localhost:3000" };
  window.localStorage = {
    getItem: (k) => (storage.has(k) ? storage.get(k) : null),
    setItem: (k, v) => storage.set(k, String(v)),
    removeItem: (k) => storage.delete(k),
  };
  if (legacy) window.ethereum = legacy;
  for (const [rdns, name, provider] of announced) {
    const detail = { info: { uuid: rdns + "-uuid", name, icon: "data:image/svg+xml;base64,AA", rdns }, provider };
    window.addEventListener("eip6963:requestProvider", () =>
      window.dispatchEvent(new CustomEvent("eip6963:announceProvider", { detail })),
    );
  }
  const context = vm.createContext({ window, Event, CustomEvent, TextEncoder, setTimeout, Promise, console });
  vm.runInContext(BRIDGE, context);
  return { wallet: window.coopWallet, storage };
}

const clone = (value) => JSON.parse(JSON.stringify(value));

const scenarios = {
  async noWallet() {
    const { wallet } = newBridge();
    return clone(await wallet.connect(null));
  },

  async severalWallets() {
    const alpha = makeProvider({ accounts: ["0xAAA0000000000000000000000000000000000001"] });
    const beta = makeProvider({ accounts: ["0xBBB0000000000000000000000000000000000002"], chainId: "0x1" });
    const { wallet, storage } = newBridge({ announced: [["org.alpha", "Alpha", alpha], ["org.beta", "Beta", beta]] });
    const choose = clone(await wallet.connect(null));
    const picked = clone(await wallet.connect("org.beta"));
    return { choose, picked, remembered: storage.get("coop.wallet.chosen"), alphaCalls: alpha.calls.length };
  },

  async legacyOnly() {
    const legacy = makeProvider({ flags: { isMetaMask: true } });
    const { wallet } = newBridge({ legacy });
    return clone(await wallet.connect(null));
  },

  async restoreAfterReload() {
    const storage = new Map();
    const first = makeProvider();
    const one = newBridge({ announced: [["org.w", "W", first]], storage });
    await one.wallet.connect(null);
    const again = makeProvider();
    const two = newBridge({ announced: [["org.w", "W", again]], storage });
    const restored = clone(await two.wallet.restore());
    return { restored, methods: again.calls.map((c) => c[0]) };
  },

  async switchAddsUnknownChain() {
    let known = false;
    let chain = "0x1";
    const provider = makeProvider({
      handlers: {
        eth_chainId: () => chain,
        wallet_switchEthereumChain: ([{ chainId }]) => {
          if (!known) throw { code: 4902, message: "Unrecognized chain ID" };
          chain = chainId;
          return null;
        },
        wallet_addEthereumChain: () => {
          known = true;
          return null;
        },
      },
    });
    const { wallet } = newBridge({ announced: [["org.w", "W", provider]] });
    await wallet.connect(null);
    const result = clone(await wallet.switchChain({ chainId: 31337, chainName: "Local", rpcUrl: "http://127.0.0.1:8545" }));
    const added = provider.calls.find((c) => c[0] === "wallet_addEthereumChain")[1][0];
    return { result, added };
  },

  async switchNestedMobileError() {
    const provider = makeProvider({
      handlers: {
        wallet_switchEthereumChain: () => {
          throw { code: -32603, message: "Internal error", data: { originalError: { code: 4902, message: "x" } } };
        },
        wallet_addEthereumChain: () => {
          throw { code: 4001, message: "User rejected the request." };
        },
      },
    });
    const { wallet } = newBridge({ announced: [["org.w", "W", provider]] });
    await wallet.connect(null);
    const result = clone(await wallet.switchChain({ chainId: 31337, chainName: "Local", rpcUrl: "http://x" }));
    return { result, methods: provider.calls.map((c) => c[0]) };
  },

  async eventsLongPoll() {
    const provider = makeProvider();
    const { wallet } = newBridge({ announced: [["org.w", "W", provider]] });
    await wallet.connect(null);
    const first = wallet.nextEvent();
    const second = wallet.nextEvent();
    const superseded = clone(await first);
    provider.emit("accountsChanged", ["0xDDD0000000000000000000000000000000000004"]);
    const changed = clone(await second);
    provider.emit("chainChanged", "0x1");
    const queued = clone(await wallet.nextEvent());
    return { superseded, changed, queued };
  },

  async sendChecksChainAccountAndKeepsRevertData() {
    const provider = makeProvider({
      accounts: ["0xabc0000000000000000000000000000000000001"],
      handlers: {
        eth_sendTransaction: () => {
          throw { code: -32603, message: "execution reverted", data: { originalError: { data: "0x118cdaa7000000000000000000000000000000000000000000000000000000000000abcd" } } };
        },
      },
    });
    const { wallet } = newBridge({ announced: [["org.w", "W", provider]] });
    await wallet.connect(null);
    const tx = { from: "0xABC0000000000000000000000000000000000001", to: "0x01", data: "0x" };
    const wrongChain = clone(await wallet.sendTransaction(tx, 1));
    const otherAccount = clone(await wallet.sendTransaction({ ...tx, from: "0x0000000000000000000000000000000000000002" }, 31337));
    const reverted = clone(await wallet.sendTransaction(tx, 31337));
    return { wrongChain, otherAccount, reverted };
  },

  async personalSignSendsUtf8Hex() {
    const provider = makeProvider({ handlers: { personal_sign: ([hex]) => "0xsig:" + hex } });
    const { wallet } = newBridge({ announced: [["org.w", "W", provider]] });
    await wallet.connect(null);
    return clone(await wallet.personalSign("héllo\n", "0xAbC0000000000000000000000000000000000001"));
  },
};

const names = Object.keys(scenarios);
const results = await Promise.all(names.map((name) => scenarios[name]().catch((e) => ({ crashed: String(e) }))));
console.log(JSON.stringify(Object.fromEntries(names.map((name, i) => [name, results[i]]))));
