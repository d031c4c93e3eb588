// The script-tag bundle with zone.js inside, for pages that do not load it themselves. zone.js
// must patch the platform before the browser entry looks for `Zone`, so it is imported first.
import 'zone.js';

export * from './browser.js';
