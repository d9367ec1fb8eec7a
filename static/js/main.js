/* Kwissle play page, the entry module: speaks docs/protocol.md (version 1) over SockJS.
 *
 * Each concern is its own module; importing one registers its handlers (connection.js
 * on(type, fn)). Another feature hooks in by adding one import line here.
 * The server owns the game and the clock: the page shows what the server says and sends
 * what the player does.
 */

import { app } from "./state.js";
import { connect } from "./connection.js";
import "./lobby.js";
import "./battle-view.js";
import "./result-view.js";
import "./report.js";
import "./rematch.js";
import "./challenge.js";
import "./appeal.js";
import "./leave-guard.js";
import "./errors.js";
import "./ghost.js";
import { wireSoundToggle } from "./sound.js";

if (app) {
  wireSoundToggle();
  connect();
}
