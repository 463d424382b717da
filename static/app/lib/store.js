// IndexedDB: the offline bundles (one per event), small key/values (me, tickets, event lists)
// and the outbox of writes made offline. Everything the app shows offline comes from here.
const DB = "eventhub-app";
const VERSION = 1;
let opened;

function db() {
  opened ??= new Promise((resolve, reject) => {
    const request = indexedDB.open(DB, VERSION);
    request.onupgradeneeded = () => {
      const d = request.result;
      d.createObjectStore("bundles", { keyPath: "id" });
      d.createObjectStore("kv");
      d.createObjectStore("outbox", { keyPath: "seq", autoIncrement: true });
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  return opened;
}

async function run(storeName, mode, action) {
  const d = await db();
  return new Promise((resolve, reject) => {
    const tx = d.transaction(storeName, mode);
    const result = action(tx.objectStore(storeName));
    tx.oncomplete = () => resolve(result?.result);
    tx.onerror = () => reject(tx.error);
  });
}

export const get = (storeName, key) => run(storeName, "readonly", (s) => s.get(key));
export const put = (storeName, value, key) =>
  run(storeName, "readwrite", (s) => (key === undefined ? s.put(value) : s.put(value, key)));
export const del = (storeName, key) => run(storeName, "readwrite", (s) => s.delete(key));
export const all = (storeName) => run(storeName, "readonly", (s) => s.getAll());

export async function clearAll() {
  for (const name of ["bundles", "kv", "outbox"]) await run(name, "readwrite", (s) => s.clear());
}
