/**
 * The WebAssembly text of scrypt's ROMix (RFC 7914, section 5) with 128-bit SIMD: the source
 * of electron/engine/vault/store/scrypt-romix-wasm.ts (`node build/wasm/build-scrypt-romix.mjs`
 * writes it; test/unit/vault-store/scrypt-kdf.test.ts checks that the two agree).
 *
 * Salsa20/8 runs on four i32x4 rows in the diagonal word order of Colin Percival's SSE2
 * scrypt (word k of a 64-byte block is stored at position k' where k = 5k' mod 16): a
 * column round and a row round are then the same row operations with the rows rotated in
 * between. The caller puts each block in that order before and takes it back after; word 0
 * keeps its place, so Integerify reads the first word of the last block.
 *
 * Memory: X at `x` and scratch Y at `y` (128r bytes each), V at `v` (N * 128r bytes).
 */

const rotateXor = (target, amount) => `
      (local.set $${target} (v128.xor (local.get $${target}) (v128.xor
        (i32x4.shl (local.get $t) (i32.const ${amount})) (i32x4.shr_u (local.get $t) (i32.const ${32 - amount})))))`;
const sum = (a, b) => `
      (local.set $t (i32x4.add (local.get $${a}) (local.get $${b})))`;
/** Lanes of an i32x4 as the byte indices of i8x16.shuffle: result lane i = source lane lanes[i]. */
const rotateRow = (row, lanes) => `
      (local.set $${row} (i8x16.shuffle ${lanes.flatMap((lane) => [0, 1, 2, 3].map((b) => lane * 4 + b)).join(' ')}
        (local.get $${row}) (local.get $${row})))`;
const TURN_LEFT = [3, 0, 1, 2];
const HALF = [2, 3, 0, 1];
const TURN_RIGHT = [1, 2, 3, 0];

/** One Salsa20 double round (a column round, then a row round) on rows x0-x3. */
const doubleRound = [
  sum('x0', 'x3'), rotateXor('x1', 7), sum('x1', 'x0'), rotateXor('x2', 9),
  sum('x2', 'x1'), rotateXor('x3', 13), sum('x3', 'x2'), rotateXor('x0', 18),
  rotateRow('x1', TURN_LEFT), rotateRow('x2', HALF), rotateRow('x3', TURN_RIGHT),
  sum('x0', 'x1'), rotateXor('x3', 7), sum('x3', 'x0'), rotateXor('x2', 9),
  sum('x2', 'x3'), rotateXor('x1', 13), sum('x1', 'x2'), rotateXor('x0', 18),
  rotateRow('x1', TURN_RIGHT), rotateRow('x2', HALF), rotateRow('x3', TURN_LEFT),
].join('');

const rows = [0, 1, 2, 3];

export const SCRYPT_ROMIX_WAT = `(module
  (memory (export "memory") 1)

  ;; out = BlockMix_Salsa20/8(in), 2r blocks of 64 bytes (in and out must not overlap)
  (func $blockmix (param $in i32) (param $out i32) (param $r i32)
    (local $x0 v128) (local $x1 v128) (local $x2 v128) (local $x3 v128)
    (local $b0 v128) (local $b1 v128) (local $b2 v128) (local $b3 v128)
    (local $t v128) (local $i i32) (local $blocks i32) (local $src i32) (local $dst i32) (local $k i32)
    (local.set $blocks (i32.shl (local.get $r) (i32.const 1)))
    ;; X = B[2r - 1]
    (local.set $src (i32.add (local.get $in) (i32.shl (i32.sub (local.get $blocks) (i32.const 1)) (i32.const 6))))${rows.map((row) => `
    (local.set $x${row} (v128.load offset=${row * 16} (local.get $src)))`).join('')}
    (local.set $i (i32.const 0))
    (loop $block
      ;; X = Salsa20/8(X xor B[i])
      (local.set $src (i32.add (local.get $in) (i32.shl (local.get $i) (i32.const 6))))${rows.map((row) => `
      (local.set $x${row} (v128.xor (local.get $x${row}) (v128.load offset=${row * 16} (local.get $src))))
      (local.set $b${row} (local.get $x${row}))`).join('')}
      (local.set $k (i32.const 4))
      (loop $round${doubleRound}
        (local.set $k (i32.sub (local.get $k) (i32.const 1)))
        (br_if $round (local.get $k)))${rows.map((row) => `
      (local.set $x${row} (i32x4.add (local.get $x${row}) (local.get $b${row})))`).join('')}
      ;; Y[i] goes to block i / 2 when i is even, r + (i - 1) / 2 when odd
      (local.set $dst (i32.add (local.get $out) (i32.shl
        (i32.add (i32.shr_u (local.get $i) (i32.const 1)) (i32.mul (i32.and (local.get $i) (i32.const 1)) (local.get $r)))
        (i32.const 6))))${rows.map((row) => `
      (v128.store offset=${row * 16} (local.get $dst) (local.get $x${row}))`).join('')}
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $block (i32.lt_u (local.get $i) (local.get $blocks)))))

  ;; X = X xor V[j] over 128r bytes (its own function, so it runs optimized, not in the baseline tier)
  (func $xorInto (param $x i32) (param $vj i32) (param $length i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $x) (local.get $length)))
    (loop $xor
      (v128.store (local.get $x) (v128.xor (v128.load (local.get $x)) (v128.load (local.get $vj))))
      (local.set $x (i32.add (local.get $x) (i32.const 16)))
      (local.set $vj (i32.add (local.get $vj) (i32.const 16)))
      (br_if $xor (i32.lt_u (local.get $x) (local.get $end)))))

  ;; ROMix of the 128r bytes at $x; returns the address of the result ($x or $y)
  (func (export "romix") (param $x i32) (param $y i32) (param $v i32) (param $n i32) (param $r i32) (result i32)
    (local $length i32) (local $i i32) (local $vi i32) (local $j i32) (local $swap i32)
    (local.set $length (i32.shl (local.get $r) (i32.const 7)))
    ;; V[0] = X; V[i] = BlockMix(V[i - 1]); X = BlockMix(V[N - 1])
    (memory.copy (local.get $v) (local.get $x) (local.get $length))
    (local.set $vi (local.get $v))
    (local.set $i (i32.const 1))
    (block $filled
      (br_if $filled (i32.ge_u (local.get $i) (local.get $n)))
      (loop $fill
        (call $blockmix (local.get $vi) (i32.add (local.get $vi) (local.get $length)) (local.get $r))
        (local.set $vi (i32.add (local.get $vi) (local.get $length)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $fill (i32.lt_u (local.get $i) (local.get $n)))))
    (call $blockmix (local.get $vi) (local.get $x) (local.get $r))
    ;; N times: j = Integerify(X) mod N; X = BlockMix(X xor V[j])
    (local.set $i (i32.const 0))
    (loop $mix
      (local.set $j (i32.and
        (i32.load (i32.add (local.get $x) (i32.sub (local.get $length) (i32.const 64))))
        (i32.sub (local.get $n) (i32.const 1))))
      (call $xorInto (local.get $x) (i32.add (local.get $v) (i32.mul (local.get $j) (local.get $length))) (local.get $length))
      (call $blockmix (local.get $x) (local.get $y) (local.get $r))
      (local.set $swap (local.get $x))
      (local.set $x (local.get $y))
      (local.set $y (local.get $swap))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $mix (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $x))
)
`;

/** The module's bytes, assembled with wabt (a devDependency: only needed to make them anew). */
export async function assembleScryptRomix() {
  const { default: initWabt } = await import('wabt');
  const wabt = await initWabt();
  const module = wabt.parseWat('scrypt-romix.wat', SCRYPT_ROMIX_WAT, { simd: true, bulk_memory: true });
  try {
    module.validate();
    return Buffer.from(module.toBinary({}).buffer);
  } finally {
    module.destroy();
  }
}
