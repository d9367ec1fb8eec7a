/* The import status page (/admin/import/<id>): polls the job's figures while it runs, then
   reloads the page so the server shows the summary (what was imported, what was skipped and why). */

const box = document.getElementById("import-status");
const POLL_MS = 500;

function show(id, value) {
  const element = document.getElementById(id);
  if (element) element.textContent = String(value);
}

const STATES = { reading: "Reading and checking the file…", storing: "Storing the questions…" };

async function poll() {
  let progress = null;
  try {
    const response = await fetch(box.dataset.progressUrl, { cache: "no-store", headers: { Accept: "application/json" } });
    if (response.ok) progress = await response.json();
  } catch (error) {
    progress = null; // the admin process is restarting or the network blinked: try again
  }
  if (progress) {
    if (progress.state === "done" || progress.state === "failed") {
      window.location.reload();
      return;
    }
    show("import-read", progress.read);
    show("import-imported", progress.imported);
    show("import-skipped", progress.skipped);
    show("import-state", STATES[progress.state] || progress.state);
    const bar = document.getElementById("import-bar");
    if (bar) {
      bar.max = Math.max(progress.to_store, 1);
      bar.value = progress.imported;
    }
  }
  window.setTimeout(poll, POLL_MS);
}

if (box && box.dataset.progressUrl) window.setTimeout(poll, POLL_MS);
