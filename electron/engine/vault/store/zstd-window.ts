/**
 * Largest zstd window a stored frame may ask for when it is expanded (2^23 = 8 MiB): what
 * Labvault's levels (1 to 19) use at most; a frame of a damaged or hostile vault asking for
 * more (up to 2 GiB by zstd's own limit) is refused instead of allocated.
 */
export const ZSTD_WINDOW_LOG_MAX = 23;
