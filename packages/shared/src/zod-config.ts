import { z } from "zod";

// zod probes whether it may compile validators with `new Function`, which a strict
// Content-Security-Policy (script-src 'self') reports as a violation in the browser.
// The interpreted path is fast enough for our forms and requests.
z.config({ jitless: true });
