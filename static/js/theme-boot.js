/* Kwissle: apply the theme chosen on this device before the first paint.
 * A classic script loaded (not deferred) in <head>: no inline script under the CSP.
 * "light" or "dark" pins the theme; nothing stored follows prefers-color-scheme.
 */
(function () {
  "use strict";
  try {
    var theme = window.localStorage.getItem("kwissle.theme");
    if (theme === "light" || theme === "dark") document.documentElement.setAttribute("data-theme", theme);
  } catch (err) { /* storage blocked: follow the system */ }
})();
