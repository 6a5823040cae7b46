'use strict';

// Entry point of the custom plotly.js bundle.
// lib/core already contains the `scatter` trace; add only what the site uses.
var Plotly = require('plotly.js/lib/core');

Plotly.register([
    require('plotly.js/lib/bar'),
    require('plotly.js/lib/locales/id')
]);

module.exports = Plotly;
