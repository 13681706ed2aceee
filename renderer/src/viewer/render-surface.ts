/**
 * One vtk.js render window bound to a DOM element: its own canvas and WebGL2 context, sized to the
 * element, rendering only when asked (renders are coalesced to one per animation frame).
 */
import '@kitware/vtk.js/Rendering/OpenGL/Profiles/Volume';
import '@kitware/vtk.js/Rendering/OpenGL/Profiles/Geometry';
import vtkOpenGLRenderWindow from '@kitware/vtk.js/Rendering/OpenGL/RenderWindow';
import vtkRenderWindow from '@kitware/vtk.js/Rendering/Core/RenderWindow';
import vtkRenderer from '@kitware/vtk.js/Rendering/Core/Renderer';

export interface RenderSurface {
  renderer: vtkRenderer;
  renderWindow: vtkRenderWindow;
  openGl: vtkOpenGLRenderWindow;
  /** CSS pixel size of the element. */
  size(): { width: number; height: number };
  /** Renders at the next animation frame (several requests, one render). */
  requestRender(): void;
  /** Called after each render (with its duration in ms). */
  onRendered(callback: (ms: number) => void): void;
  /** Called after the element's size changed (before the re-render). */
  onResize(callback: () => void): void;
  dispose(): void;
}

export function createRenderSurface(container: HTMLElement, background: [number, number, number] = [0, 0, 0]): RenderSurface {
  const renderWindow = vtkRenderWindow.newInstance();
  const renderer = vtkRenderer.newInstance({ background });
  renderWindow.addRenderer(renderer);
  const openGl = vtkOpenGLRenderWindow.newInstance();
  renderWindow.addView(openGl);
  openGl.setContainer(container);
  const rendered: ((ms: number) => void)[] = [];
  const resized: (() => void)[] = [];
  let frame = 0;
  let disposed = false;
  let cssSize = { width: 1, height: 1 };

  function applySize() {
    const rect = container.getBoundingClientRect();
    cssSize = { width: Math.max(1, Math.round(rect.width)), height: Math.max(1, Math.round(rect.height)) };
    // Device pixels capped at 1×: software GL pays for every pixel.
    const dpr = Math.min(window.devicePixelRatio || 1, 1.5);
    openGl.setSize(Math.round(cssSize.width * dpr), Math.round(cssSize.height * dpr));
    const canvas = openGl.getCanvas();
    if (canvas) {
      canvas.style.width = `${cssSize.width}px`;
      canvas.style.height = `${cssSize.height}px`;
    }
  }
  applySize();

  function requestRender() {
    if (frame || disposed) return;
    frame = requestAnimationFrame(() => {
      frame = 0;
      if (disposed) return;
      const t0 = performance.now();
      renderWindow.render();
      const ms = performance.now() - t0;
      for (const cb of rendered) cb(ms);
    });
  }

  const observer = new ResizeObserver(() => {
    const before = cssSize;
    applySize();
    if (before.width === cssSize.width && before.height === cssSize.height) return;
    for (const cb of resized) cb();
    requestRender();
  });
  observer.observe(container);

  return {
    renderer,
    renderWindow,
    openGl,
    size: () => cssSize,
    requestRender,
    onRendered: (cb) => rendered.push(cb),
    onResize: (cb) => resized.push(cb),
    dispose() {
      disposed = true;
      if (frame) cancelAnimationFrame(frame);
      observer.disconnect();
      openGl.setContainer(undefined as unknown as HTMLElement);
      openGl.delete();
      renderer.delete();
      renderWindow.delete();
    },
  };
}
