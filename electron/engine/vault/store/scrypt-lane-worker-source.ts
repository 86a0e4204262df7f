/**
 * The scrypt lane worker's whole program (plain JavaScript evaluated in a worker, like the
 * chunk workers): it receives the compiled ROMix module and lanes of B (RFC 7914 step 2),
 * runs ROMix on each in its own WebAssembly memory and sends each lane back. The memory
 * (N * 128r bytes of V) is zeroed after the last answer, then the worker ends.
 *
 * Messages in:  { module, n, r, lanes: [{ index, block: ArrayBuffer of 128r bytes }] }
 * Messages out: { index, block } per lane (block transferred back), or { error }.
 */
export const SCRYPT_LANE_WORKER_SOURCE = `
'use strict';
const { parentPort } = require('node:worker_threads');
parentPort.once('message', ({ module, n, r, lanes }) => {
  let memory;
  try {
    const length = 128 * r;
    const instance = new WebAssembly.Instance(module, {});
    memory = instance.exports.memory;
    const x = 0, y = length, v = 2 * length;
    const pages = Math.ceil((v + n * length) / 65536) - memory.buffer.byteLength / 65536;
    if (pages > 0) memory.grow(pages);
    const words = new DataView(memory.buffer);
    for (const lane of lanes) {
      const block = new DataView(lane.block);
      for (let b = 0; b < 2 * r; b += 1) {
        for (let k = 0; k < 16; k += 1) {
          words.setUint32(x + (b * 16 + k) * 4, block.getUint32((b * 16 + (k * 5) % 16) * 4, true), true);
        }
      }
      const at = instance.exports.romix(x, y, v, n, r);
      for (let b = 0; b < 2 * r; b += 1) {
        for (let k = 0; k < 16; k += 1) {
          block.setUint32((b * 16 + (k * 5) % 16) * 4, words.getUint32(at + (b * 16 + k) * 4, true), true);
        }
      }
      parentPort.postMessage({ index: lane.index, block: lane.block }, [lane.block]);
    }
  } catch (error) {
    parentPort.postMessage({ error: String(error && error.message ? error.message : error) });
  } finally {
    if (memory !== undefined) new Uint8Array(memory.buffer).fill(0);
    parentPort.close();
  }
});
`;
