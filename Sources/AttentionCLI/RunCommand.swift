import ArgumentParser
import Foundation
import AttentionSafeTensors
import AttentionTransformers

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run one PyTorch operation on tensors from a .safetensors file (the PyTorch conformance runner).",
        discussion: """
            attention run OP --input IN.safetensors --output OUT.safetensors
                             [--weights W.safetensors]

            Tensors and options follow PyTorch's conventions exactly. Options are
            strings in IN's __metadata__ ("true"/"false", integers, decimals).
            Float tensors are F32; masks are BOOL or F32 (an F32 mask is added to
            the scores). Batch first everywhere. Dropout is 0.

            sdpa  torch.nn.functional.scaled_dot_product_attention
              IN   query [B,H,L,E], key [B,Hkv,S,E], value [B,Hkv,S,Ev];
                   attn_mask broadcastable to [B,H,L,S] (BOOL: True = takes
                   part); grad_output [B,H,L,Ev]
              meta is_causal (upper-left, as PyTorch), scale, enable_gqa
                   (Hkv divides H), need_weights
              OUT  output [B,H,L,Ev]; weights [B,H,L,S] with need_weights;
                   grad_query, grad_key, grad_value with grad_output

            mha  torch.nn.MultiheadAttention(batch_first=True)
              W    its state dict: in_proj_weight, in_proj_bias, or
                   q_proj_weight, k_proj_weight, v_proj_weight (kdim/vdim
                   differ from embed_dim); bias_k, bias_v (add_bias_kv);
                   out_proj.weight, out_proj.bias
              IN   query [N,L,E], key [N,S,kdim], value [N,S,vdim];
                   key_padding_mask [N,S] (BOOL: True = ignore); attn_mask
                   [L,S] or [N*num_heads,L,S] (BOOL: True = not allowed)
              meta num_heads, add_zero_attn, need_weights (default true),
                   average_attn_weights (default true), is_causal (a hint, as
                   in PyTorch: without padding mask and weights it means
                   causal over all keys, else attn_mask is used)
              OUT  output [N,L,E]; weights [N,L,S'] or [N,num_heads,L,S']
                   (S' counts the bias_k and zero-attention slots)

            encoder-layer  torch.nn.TransformerEncoderLayer(batch_first=True)
            decoder-layer  torch.nn.TransformerDecoderLayer(batch_first=True)
              W    its state dict (dim_feedforward and bias come from it)
              IN   src (+ src_mask, src_key_padding_mask), or tgt and memory
                   (+ tgt_mask, memory_mask, tgt_key_padding_mask,
                   memory_key_padding_mask); masks as for mha
              meta nhead, activation ("relu" or "gelu"), norm_first,
                   layer_norm_eps, is_causal, tgt_is_causal,
                   memory_is_causal, batch_first (default true)
              OUT  output

            seq2seq-train  AdamW training of a PyTorch translation Transformer
              W    the state dict of src_emb, tgt_emb (nn.Embedding),
                   transformer (nn.Transformer, batch_first, dropout 0, both
                   final norms) and generator (nn.Linear)
              IN   src [B,S] I64, tgt [B,T] I64 (tgt[:,0] = BOS, T >= 2)
              meta d_model, nhead, num_encoder_layers, num_decoder_layers,
                   dim_feedforward, norm_first, activation, pad_id,
                   label_smoothing, lr, betas ("b1,b2"), eps, weight_decay,
                   steps, clip_norm (0 = off), layer_norm_eps (default 1e-5)
              each step: emb*sqrt(d_model) + sinusoidal positions; causal
                   tgt_mask; src_key_padding_mask = memory_key_padding_mask =
                   (src == pad_id), tgt_key_padding_mask = (tgt_in == pad_id);
                   cross-entropy of tgt[:,:-1] -> tgt[:,1:] ignoring pad_id,
                   with label_smoothing; clip_grad_norm_; AdamW
              OUT  losses [steps]; every parameter after the last step, under
                   its PyTorch name
              Refused: a src row of pad_id only, a tgt row starting with
                   pad_id (queries that see no key) and a batch with no label.
            lm-train  AdamW steps of a decoder-only LM (dropout 0): tok_emb
                   (nn.Embedding), pos_emb (nn.Embedding, context rows),
                   layers.N (nn.TransformerEncoderLayer, batch_first, causal
                   src_mask), norm (nn.LayerNorm), head (nn.Linear);
                   x = tok_emb(t) + pos_emb(arange(T)), logits = head(norm(x))
              W    that model's state dict (F32 or F64)
              IN   tokens [B,T] I64: tokens[:,1:] predicted from tokens[:,:-1]
              meta nhead, norm_first, activation, label_smoothing, lr, betas
                   ("b1,b2"), eps, weight_decay, steps, clip_norm (0 = off;
                   clip_grad_norm_ before each step), layer_norm_eps;
                   d_model, num_layers, dim_feedforward, context must agree
                   with W if given. Computed in float64.
              OUT  losses [steps] (each step's loss before its update) and
                   every parameter after the last step, same names

            With grad_output, mha and the layers also write the gradients of
            their float inputs (grad_query, grad_src, grad_tgt, ...).

            Fully-masked rows: a query that may attend no key gets output 0,
            weights 0 and gradient 0. PyTorch gives NaN there when it computes
            attention weights (and, in MultiheadAttention without weights, the
            output bias); compare such rows with 0.

            Errors (unknown op, missing tensor or option, wrong shape or dtype)
            name the tensor, what was expected and what was found, go to
            stderr, exit with a non-zero status (1 for bad tensors or options,
            64 for an unknown op, 66 for a missing input file, 74 when OUT
            cannot be written) and write no output file. A tensor in IN that
            the op does not read is named in a warning on stderr and ignored.
            The output is written atomically (a temporary file, then a
            rename).
            """
    )

    @Argument(help: "The operation: sdpa, mha, encoder-layer, decoder-layer, seq2seq-train or lm-train.")
    var op: String

    @Option(help: "Input tensors and options (__metadata__).")
    var input: String

    @Option(help: "Where to write the outputs (.safetensors).")
    var output: String

    @Option(help: "The module's PyTorch state dict (.safetensors), for mha, the layers, seq2seq-train and lm-train.")
    var weights: String?

    /// The input tensors each op reads (the contract above); any other tensor in IN is reported and ignored.
    static let inputNames: [String: Set<String>] = [
        "sdpa": ["query", "key", "value", "attn_mask", "grad_output"],
        "mha": ["query", "key", "value", "key_padding_mask", "attn_mask", "grad_output"],
        "encoder-layer": ["src", "src_mask", "src_key_padding_mask", "grad_output"],
        "decoder-layer": ["tgt", "memory", "tgt_mask", "memory_mask", "tgt_key_padding_mask", "memory_key_padding_mask", "grad_output"],
        "seq2seq-train": ["src", "tgt"],
        "lm-train": ["tokens"],
    ]

    func run() throws {
        guard PyTorchRunner.operations.contains(op) else {
            throw CLIError.usage("unknown op '\(op)' (expected one of: \(PyTorchRunner.operations.joined(separator: ", ")))")
        }
        try InputPaths.checkFile(input, option: "--input")
        if let weights { try InputPaths.checkFile(weights, option: "--weights") }
        try InputPaths.checkOutput(output, option: "--output")
        let results: [String: Tensor]
        do {
            let inputFile = try SafeTensorsFile(contentsOf: input)
            let unknown = inputFile.names.filter { !(Self.inputNames[op]?.contains($0) ?? true) }.sorted()
            if !unknown.isEmpty {
                Console.warning("\(input): \(op) does not read tensor(s) \(unknown.map { "'\($0)'" }.joined(separator: ", ")); ignored")
            }
            let weightTensors = try weights.map { try Self.tensors(of: try SafeTensorsFile(contentsOf: $0)) }
            results = try PyTorchRunner.run(op: op, inputs: try Self.tensors(of: inputFile), metadata: inputFile.metadata,
                                            weights: weightTensors)
        } catch { throw CLIError.data("\(error)") }
        var writer = SafeTensorsWriter(metadata: ["producer": "attention run", "op": op])
        do {
            for (name, tensor) in results.sorted(by: { $0.key < $1.key }) {
                try writer.add(name, tensor.cast(to: .float32).contiguous(), as: .float32)
            }
        } catch { throw CLIError.data("\(error)") }
        do { try writer.write(to: output) } catch { throw CLIError.io("\(error)") }
    }

    /// Every tensor of a file at the interop boundary: floating types as tensors, BOOL as masks, integers as
    /// integers (the runner reports a dtype it cannot use by name).
    static func tensors(of file: SafeTensorsFile) throws -> [String: InteropTensor] {
        var out: [String: InteropTensor] = [:]
        for info in file.tensors {
            switch info.dtype {
            case .bool: out[info.name] = .bool(BoolTensor(shape: info.shape, values: try file.bools(info.name)))
            case let d where d.isFloatingPoint: out[info.name] = .float(try file.tensor(info.name), dtype: d.rawValue)
            default:
                let values = (try? file.int64s(info.name)) ?? []
                out[info.name] = .integer(shape: info.shape, values: values, dtype: info.dtype.rawValue)
            }
        }
        return out
    }
}
