// Large datasets, shown decimated.
//
// H5Web asks the h5grove API for whole slices: a 2-D dataset is fetched whole for a
// heatmap.  h5pure's server caps every answer (16 MiB), so for a dataset whose slices
// could exceed the cap the viewer presents a decimated dataset to H5Web: every axis
// longer than a limit is shown with a step (the server reads `::step` selections, never
// the whole array), the metadata shows the shape H5Web works on, and an attribute
// "h5pure view" says what is shown and the real shape.

const NUMERIC_CLASSES = new Set([0, 1, 8]); // integer, float, enum/bool
const MAX_SLICE_ELEMENTS = 2 ** 21; // 2-D slice of 8-byte elements = 16 MiB
const MAX_SLICE_OTHER = 2 ** 17; // compound, complex, strings: sent as JSON
export const NOTE_NAME = 'h5pure view';

function axisLimit(type, ndim) {
  const budget = NUMERIC_CLASSES.has(type.class) ? MAX_SLICE_ELEMENTS : MAX_SLICE_OTHER;
  return ndim === 1 ? budget : Math.floor(Math.sqrt(budget));
}

// steps[i] for each axis of `shape`, or null when every slice fits as it is
export function decimationSteps(shape, type) {
  if (!Array.isArray(shape) || shape.length === 0) return null;
  const limit = axisLimit(type, shape.length);
  const steps = shape.map((n) => Math.max(1, Math.ceil(n / limit)));
  return steps.some((s) => s > 1) ? steps : null;
}

export function decimatedShape(shape, steps) {
  return shape.map((n, i) => Math.ceil(n / steps[i]));
}

// H5Web's selection on the decimated shape ("0,:,:"), or none, as one on the real shape
export function mapSelection(selection, steps) {
  const members = selection === undefined ? steps.map(() => ':') : selection.split(',');
  return members
    .map((m, i) => {
      const step = steps[i] ?? 1;
      if (m.trim() === ':') return step > 1 ? `::${step}` : ':';
      return String(Number.parseInt(m, 10) * step);
    })
    .join(',');
}

function noteText(shape, steps) {
  const axes = steps.flatMap((s, i) => (s > 1 ? [`1 element in ${s} along axis ${i}`] : []));
  return (
    `shown decimated (${axes.join(', ')}) of the real shape ${shape.join(' x ')}: ` +
    'this server sends at most 16 MiB per answer'
  );
}

const NOTE_TYPE = { class: 3, dtype: '|O', size: 8, cset: 1, strpad: 0, vlen: true };

// Rewrites /meta answers; remembers what it rewrote for /data and /attr
export class Decimator {
  constructor() {
    this.steps = new Map(); // path -> steps
    this.notes = new Map(); // path -> note text
  }

  rewriteEntity(meta, path) {
    if (meta.kind === 'dataset') {
      const steps = decimationSteps(meta.shape, meta.type);
      if (steps) {
        this.steps.set(path, steps);
        this.notes.set(path, noteText(meta.shape, steps));
        meta.shape = decimatedShape(meta.shape, steps);
        meta.attributes = [...(meta.attributes || []), { name: NOTE_NAME, shape: [], type: NOTE_TYPE }];
      }
    }
    if (Array.isArray(meta.children)) {
      const base = path === '/' ? '' : path.replace(/\/$/, '');
      for (const child of meta.children) this.rewriteEntity(child, `${base}/${child.name}`);
    }
    return meta;
  }

  selection(path, selection) {
    const steps = this.steps.get(path);
    return steps ? mapSelection(selection, steps) : selection;
  }

  note(path) {
    return this.notes.get(path);
  }
}
