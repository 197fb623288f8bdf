// `import Attention` gives the whole public API: the tensor core comes along.
@_exported import AttentionTensorCore
@_exported import AttentionLayers
