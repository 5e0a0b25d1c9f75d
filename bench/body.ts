// The fixed response every backend and hello-world server sends: a 100-byte JSON document, so that
// the scenarios differ only in what sits between the load generator and that body.

const prefix = '{"ok":true,"service":"atrium-bench","padding":"';
const suffix = '"}';

export const helloBody = prefix + 'x'.repeat(100 - prefix.length - suffix.length) + suffix;

/** Size of the large-response variant (`/64k` on the backend). */
export const largeBodyBytes = 64 * 1024;

/** Size of the request body sent by the POST variants. */
export const postBodyBytes = 4 * 1024;
