/** peerkeeper's release version: in the user agent peers see and in `peerkeeper --version` (kept equal to package.json by a test). */
export const PEERKEEPER_VERSION = '0.1.0'
