/** vtk.js 37 ships no typings for this filter; the part the viewer uses. */
declare module '@kitware/vtk.js/Filters/General/ImageMarchingCubes' {
  import type vtkImageData from '@kitware/vtk.js/Common/DataModel/ImageData';
  import type vtkPolyData from '@kitware/vtk.js/Common/DataModel/PolyData';
  interface vtkImageMarchingCubes {
    setInputData(image: vtkImageData): void;
    getOutputData(): vtkPolyData;
  }
  const factory: {
    newInstance(initial?: { contourValue?: number; computeNormals?: boolean; mergePoints?: boolean }): vtkImageMarchingCubes;
  };
  export default factory;
}
