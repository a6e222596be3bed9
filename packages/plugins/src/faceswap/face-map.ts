// Face mapping (docs/models/face.md §8.5): the user picked target faces on one picture (the target
// image, or frame `mapFrame` of a video) and gave each a source photo. On that picture the picked
// boxes are matched to detected faces by overlap; each mapped person's face there becomes its
// reference. On other frames each person is followed by likeness: a face takes the person whose
// reference it is nearest to (FaceFusion's distance, below `referenceDistance`), one face per person,
// ties broken by overlap with where that person was last seen (two copies of one photo look alike).
import { iou } from '../face/nms.ts';
import { PluginInputError } from '../types.ts';
import { type AnalysedFace, faceDistance } from './select.ts';

type Box = AnalysedFace['box'];

/** A picked face: its box on the map picture and the source photo (identity) that goes there. */
export interface FaceMapEntry {
  box: readonly [number, number, number, number];
  source: string;
}

/** A mapped person during a job. */
export interface MappedPerson {
  entry: FaceMapEntry;
  /** The detected face the box was matched to on the map picture. */
  found: Box;
  /** Its normalised embedding: who this person is. */
  reference: Float32Array;
  /** Where the person was last seen (starts at `found`). */
  lastBox: Box;
}

/** A detected face must overlap a picked box at least this much to be that face. */
export const MAP_MATCH_IOU = 0.3;
/** How much overlap with the last position counts against likeness: a tie-breaker, not a tracker. */
const POSITION_WEIGHT = 0.1;

/** For each picked box, the detected face that overlaps it most (at least MAP_MATCH_IOU), or null. */
export function matchPickedFaces(
  entries: readonly FaceMapEntry[],
  faces: readonly AnalysedFace[],
): (AnalysedFace | null)[] {
  const taken = new Set<AnalysedFace>();
  return entries.map((entry) => {
    let best: AnalysedFace | null = null;
    let bestOverlap = MAP_MATCH_IOU;
    for (const face of faces) {
      if (taken.has(face)) continue;
      const overlap = iou(entry.box as Box, face.box);
      if (overlap >= bestOverlap) {
        best = face;
        bestOverlap = overlap;
      }
    }
    if (best) taken.add(best);
    return best;
  });
}

/** The people of a map, from the faces detected (and embedded) on the map picture. */
export function mappedPeople(
  entries: readonly FaceMapEntry[],
  faces: readonly AnalysedFace[],
  where: string,
): MappedPerson[] {
  const matched = matchPickedFaces(entries, faces);
  return entries.map((entry, i) => {
    const face = matched[i];
    if (!face) {
      const box = entry.box.map(Math.round).join(', ');
      throw new PluginInputError(
        `Mapped face ${i + 1} (box ${box}) was not found on ${where}: ${faces.length} face(s) detected there. Pick the faces again.`,
      );
    }
    if (!face.embedding) throw new Error('mappedPeople: each face needs its embedding');
    return { entry, found: face.box, reference: face.embedding, lastBox: face.box };
  });
}

/**
 * The faces of a frame that belong to mapped people, each with `identity` = its person's source;
 * updates where each person was last seen. Faces need their embeddings.
 */
export function assignMappedFaces(
  people: readonly MappedPerson[],
  faces: readonly AnalysedFace[],
  maxDistance: number,
): AnalysedFace[] {
  const pairs: { person: MappedPerson; face: AnalysedFace; cost: number }[] = [];
  for (const person of people) {
    for (const face of faces) {
      if (!face.embedding) throw new Error('assignMappedFaces: each face needs its embedding');
      const distance = faceDistance(face.embedding, person.reference);
      if (distance >= maxDistance) continue;
      pairs.push({ person, face, cost: distance - POSITION_WEIGHT * iou(person.lastBox, face.box) });
    }
  }
  pairs.sort((a, b) => a.cost - b.cost);
  const usedPeople = new Set<MappedPerson>();
  const usedFaces = new Set<AnalysedFace>();
  const assigned: AnalysedFace[] = [];
  for (const { person, face } of pairs) {
    if (usedPeople.has(person) || usedFaces.has(face)) continue;
    usedPeople.add(person);
    usedFaces.add(face);
    person.lastBox = face.box;
    assigned.push({ ...face, identity: person.entry.source });
  }
  return assigned.sort((a, b) => a.box[0] - b.box[0]);
}
