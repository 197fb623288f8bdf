// `import AttentionTransformers` gives the attention layers and the tensor core as well.
@_exported import Attention
