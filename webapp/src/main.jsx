// The shell of `h5pure view`: H5Web's App on h5pure's h5grove-compatible server.
import '@h5web/app/styles.css';
import './shell.css';

import { App, createBasicFetcher, H5GroveProvider } from '@h5web/app';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';

import { Decimator, NOTE_NAME } from './decimate';
import { ToolsBar } from './tools';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

// H5Web's fetcher, with large datasets shown decimated (see decimate.js)
function makeFetcher(decimator) {
  const fetchRaw = createBasicFetcher();
  return async (url, params, opts) => {
    const endpoint = url.slice(url.lastIndexOf('/') + 1);
    const path = params.path ?? '/';
    if (endpoint === 'data' && decimator.steps.has(path)) {
      params = { ...params, selection: decimator.selection(path, params.selection) };
    }
    const buffer = await fetchRaw(url, params, opts);
    if (endpoint === 'meta') {
      const meta = decimator.rewriteEntity(JSON.parse(decoder.decode(buffer)), path);
      return encoder.encode(JSON.stringify(meta)).buffer;
    }
    if (endpoint === 'attr' && decimator.note(path)) {
      const values = JSON.parse(decoder.decode(buffer));
      values[NOTE_NAME] = decimator.note(path);
      return encoder.encode(JSON.stringify(values)).buffer;
    }
    return buffer;
  };
}

function Viewer({ apiUrl, file }) {
  const fetcher = makeFetcher(new Decimator());
  return (
    <div className="shell">
      <ToolsBar api={apiUrl} file={file} />
      <div className="shell-app">
        <H5GroveProvider url={apiUrl} filepath={file} fetcher={fetcher}>
          <App sidebarOpen />
        </H5GroveProvider>
      </div>
    </div>
  );
}

async function start() {
  const root = createRoot(document.getElementById('root'));
  try {
    const config = await (await fetch('./config.json', { cache: 'no-store' })).json();
    const apiUrl = new URL(config.api, window.location.href).href.replace(/\/$/, '');
    document.title = `${config.file} - h5pure view`;
    root.render(
      <StrictMode>
        <Viewer apiUrl={apiUrl} file={config.file} />
      </StrictMode>,
    );
  } catch (error) {
    root.render(<p className="shell-error">h5pure view could not start: {String(error)}</p>);
  }
}

start();
