/* Leaving the page mid-battle by a link asks first, in a dialog of the page's own
 * (`beforeunload` alone cannot say what leaving costs). Leaving forfeits the battle.
 * A reload is not asked about: the battle resumes on the reloaded page.
 */

import { $ } from "./dom.js";
import { send } from "./connection.js";
import { state } from "./state.js";

const dialog = $("leave-dialog");
let target = null;

function battleRunning() { return state.screen === "battle" && !!state.battle; }

document.addEventListener("click", (event) => {
  if (!dialog || !battleRunning() || event.defaultPrevented || event.button !== 0) return;
  if (event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return; // a new tab keeps this one
  const link = event.target.closest && event.target.closest("a[href]");
  if (!link || link.target === "_blank" || link.closest("#app") || link.getAttribute("href").startsWith("#")) return;
  event.preventDefault();
  target = link.href;
  dialog.showModal();
  $("leave-stay").focus();
});

if (dialog) {
  $("leave-stay").addEventListener("click", () => { target = null; dialog.close(); });
  $("leave-go").addEventListener("click", () => {
    const href = target;
    dialog.close();
    if (battleRunning()) send({ type: "leave" });
    if (href) window.location.assign(href);
  });
}

