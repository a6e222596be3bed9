/** A face found by a detector, in the pixel coordinates of the image it was given. */
export interface FaceDetection {
  /** [x1, y1, x2, y2] */
  box: [number, number, number, number];
  score: number;
  /** Landmarks in the detector's order, named by `keypointNames`. */
  keypoints: [number, number][];
  keypointNames: readonly string[];
}
