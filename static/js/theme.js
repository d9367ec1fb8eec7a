/* The theme toggle in the header (every page): light or dark, remembered on this device.
 * Until the player picks, the page follows prefers-color-scheme; theme-boot.js applies a
 * stored choice before the first paint.
 */

const KEY = "kwissle.theme";

function systemDark() {
  return !!(window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches);
}

export function currentTheme() {
  const pinned = document.documentElement.getAttribute("data-theme");
  return pinned === "light" || pinned === "dark" ? pinned : systemDark() ? "dark" : "light";
}

function render(button) {
  const dark = currentTheme() === "dark";
  button.setAttribute("aria-pressed", String(dark));
  button.textContent = dark ? "☀" : "☾";
  button.setAttribute("aria-label", "Dark mode");  // a toggle: aria-pressed says whether it is on
  button.title = dark ? "Switch to the light theme" : "Switch to the dark theme";
}

const button = document.getElementById("theme-toggle");
if (button) {
  button.hidden = false;
  render(button);
  button.addEventListener("click", () => {
    const next = currentTheme() === "dark" ? "light" : "dark";
    document.documentElement.setAttribute("data-theme", next);
    try { window.localStorage.setItem(KEY, next); } catch (err) { /* this page only */ }
    render(button);
  });
  if (window.matchMedia) {
    window.matchMedia("(prefers-color-scheme: dark)").addEventListener("change", () => render(button));
  }
}
