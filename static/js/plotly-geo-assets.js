// Plotly's geo traces fetch a world topojson from a CDN even with a custom GeoJSON.
// An empty topology in the cache keeps the map offline and within connect-src 'self'.
window.PlotlyGeoAssets = { topojson: { world_110m: { type: "Topology", objects: {}, arcs: [] } } };
