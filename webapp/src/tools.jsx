// Two tools beyond H5Web's App, drawn with H5Web's own components (@h5web/lib):
// - a histogram of a dataset's values (the server's /histogram endpoint: counts over the
//   whole dataset, read in bounded blocks);
// - a line plot of one 1-D dataset against another chosen as X (no NeXus markup needed).
import { Histogram, LineVis } from '@h5web/lib';
import ndarray from 'ndarray';
import { useEffect, useState } from 'react';

async function getJson(api, endpoint, params) {
  const query = new URLSearchParams(params).toString();
  const response = await fetch(`${api}/${endpoint}?${query}`);
  const body = await response.json();
  if (!response.ok) throw new Error(body.message || response.statusText);
  return body;
}

async function numericPaths(api, file) {
  const paths = await getJson(api, 'paths', { file, path: '/' });
  return paths.filter((p) => p !== '/');
}

function PathInput({ id, label, value, onChange, paths }) {
  return (
    <label className="tool-field">
      {label}
      <input list={`${id}-list`} value={value} onChange={(e) => onChange(e.target.value)}
        aria-label={label} spellCheck={false} />
      <datalist id={`${id}-list`}>
        {paths.map((p) => <option key={p} value={p} />)}
      </datalist>
    </label>
  );
}

function range(values) {
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (Number.isFinite(v)) { min = Math.min(min, v); max = Math.max(max, v); }
  }
  return min <= max ? [min, max] : [0, 1];
}

async function vector(api, file, path) {
  const meta = await getJson(api, 'meta', { file, path });
  if (meta.kind !== 'dataset' || !Array.isArray(meta.shape) || meta.shape.length !== 1) {
    throw new Error(`${path} is not a 1-D dataset`);
  }
  const values = await getJson(api, 'data', { file, path, flatten: 'true' });
  return Float64Array.from(values, (v) => (typeof v === 'number' ? v : Number.NaN));
}

function HistogramTool({ api, file, paths }) {
  const [path, setPath] = useState('');
  const [bins, setBins] = useState(64);
  const [result, setResult] = useState(null);
  const [error, setError] = useState(null);
  async function show() {
    setError(null);
    setResult(null);
    try {
      setResult(await getJson(api, 'histogram', { file, path, bins: String(bins) }));
    } catch (e) {
      setError(String(e.message || e));
    }
  }
  const edges = result?.bins ?? [];
  const domain = edges.length ? [edges[0], edges[edges.length - 1]] : [0, 1];
  return (
    <div className="tool" data-testid="histogram-tool">
      <div className="tool-form">
        <PathInput id="hist" label="Dataset" value={path} onChange={setPath} paths={paths} />
        <label className="tool-field">Bins
          <input type="number" min="1" max="10000" value={bins} aria-label="Bins"
            onChange={(e) => setBins(Number(e.target.value))} />
        </label>
        <button type="button" onClick={show} disabled={!path}>Show histogram</button>
        {result && <span className="tool-note">{result.count.toLocaleString()} finite values</span>}
      </div>
      {error && <p className="tool-error">{error}</p>}
      {result && edges.length > 0 && (
        <div className="tool-vis histogram">
          <Histogram values={Float64Array.from(result.values)} bins={Float64Array.from(edges)}
            scaleType="linear" dataDomain={domain} value={domain} showLeftAxis />
        </div>
      )}
    </div>
  );
}

function PlotTool({ api, file, paths }) {
  const [xPath, setX] = useState('');
  const [yPath, setY] = useState('');
  const [plot, setPlot] = useState(null);
  const [error, setError] = useState(null);
  async function show() {
    setError(null);
    setPlot(null);
    try {
      const [x, y] = await Promise.all([vector(api, file, xPath), vector(api, file, yPath)]);
      if (x.length !== y.length && x.length !== y.length + 1) {
        throw new Error(`X has ${x.length} values, Y ${y.length}: they must match`);
      }
      setPlot({ x, y });
    } catch (e) {
      setError(String(e.message || e));
    }
  }
  return (
    <div className="tool" data-testid="plot-tool">
      <div className="tool-form">
        <PathInput id="plot-y" label="Y" value={yPath} onChange={setY} paths={paths} />
        <PathInput id="plot-x" label="against X" value={xPath} onChange={setX} paths={paths} />
        <button type="button" onClick={show} disabled={!xPath || !yPath}>Plot</button>
      </div>
      {error && <p className="tool-error">{error}</p>}
      {plot && (
        <div className="tool-vis">
          <LineVis dataArray={ndarray(plot.y, [plot.y.length])} domain={range(plot.y)}
            abscissaParams={{ value: plot.x, label: xPath }} ordinateLabel={yPath}
            title={`${yPath} against ${xPath}`} showGrid />
        </div>
      )}
    </div>
  );
}

export function ToolsBar({ api, file }) {
  const [open, setOpen] = useState(null);
  const [paths, setPaths] = useState([]);
  useEffect(() => {
    if (open && paths.length === 0) numericPaths(api, file).then(setPaths, () => {});
  }, [open, api, file, paths.length]);
  const toggle = (name) => setOpen((cur) => (cur === name ? null : name));
  return (
    <>
      <div className="tools-bar">
        <span className="tools-title">h5pure view</span>
        <button type="button" aria-pressed={open === 'histogram'}
          onClick={() => toggle('histogram')}>Histogram</button>
        <button type="button" aria-pressed={open === 'plot'}
          onClick={() => toggle('plot')}>Plot Y against X</button>
      </div>
      {open === 'histogram' && <HistogramTool api={api} file={file} paths={paths} />}
      {open === 'plot' && <PlotTool api={api} file={file} paths={paths} />}
    </>
  );
}
