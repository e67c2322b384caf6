// The memory map webview's script (bundled by esbuild.js to dist/webview/main.js, an IIFE for the
// browser). It will render the `MemoryMapSnapshot` that the extension sends after the webview's
// `ready` message (see src/protocol/). Placeholder until the panel is written: an empty module.

export {};
