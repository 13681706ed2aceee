// Debian's Chromium, launched as these machines need it: software WebGL2 through SwiftShader (vtk.js
// needs WebGL2), no sandbox when running as root, no background network traffic (the network is
// closed). Shared by the browser tests (e2e/chromium.ts) and the renderer benchmark.
export const CHROMIUM_PATH = process.env.HILUM_CHROMIUM ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--use-gl=angle',
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
  ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
];
