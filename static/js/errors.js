/* The last word on `error`: what no module dealt with is said in a toast, except the
 * refusals that only mean "you were a moment late" (the reveal tells that story).
 * It runs after every handler registered with on("error", ...), whatever the import order.
 */

import { otherwise, restartingNow } from "./connection.js";
import { toast } from "./dom.js";

const QUIET_ERRORS = ["question_closed", "already_queued", "in_battle", "not_queued"];

otherwise("error", (message) => {
  if (message.code === "shutting_down") {
    // `play` while the server restarts: we play again once reconnected to the next one.
    restartingNow();
    return true;
  }
  if (QUIET_ERRORS.indexOf(message.code) >= 0) return true;
  toast(message.message || "That did not work (" + message.code + ").", "bad");
  return true;
});
