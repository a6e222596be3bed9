// The faceswap, liveportrait and wan plugins, each implementing the Plugin interface.
// Public surface of @visage/plugins. Filled in by its own issue; see ../../shared/DESIGN.md.
export {};
