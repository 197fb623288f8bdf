import Attention
import AttentionTraining

extension Seq2SeqTransformer {
    /// Our names ↔ those of the PyTorch translation model `attention run seq2seq-train` speaks: a module with
    /// `src_emb` and `tgt_emb` (`nn.Embedding`), `transformer` (`nn.Transformer`, both final norms) and
    /// `generator` (`nn.Linear`).
    public var pyTorchKeyMap: PyTorchKeyMap {
        PyTorchKeyMap(renames: [("src_emb.weight", "sourceEmbedding.weight"), ("tgt_emb.weight", "targetEmbedding.weight"),
                                ("generator.weight", "outputProjection.weight")]
                        + (outputProjection.bias != nil ? [("generator.bias", "outputProjection.bias")] : []))
            + transformer.pyTorchKeyMap.prefixed(pyTorch: "transformer", swift: "transformer")
    }

    /// Teacher-forced logits [B, T, Vt] for id rows of equal length in which `padID` may sit anywhere: every pad
    /// position is masked as a key (PyTorch's `src_key_padding_mask = memory_key_padding_mask = (src == pad)` and
    /// `tgt_key_padding_mask = (tgt == pad)`), the target self-attention is causal as well.
    ///
    /// Precondition: no source row is all padding and no target row starts with `padID` (those queries would see
    /// no key at all; the runner refuses such input with a named error).
    public func paddedLogits(sources: [[Int]], targets: [[Int]]) -> Tensor {
        precondition(sources.count == targets.count && !sources.isEmpty,
                     "Seq2SeqTransformer.paddedLogits: \(sources.count) source rows for \(targets.count) target rows")
        let s = sources[0].count, t = targets[0].count
        let sourceKeys = padMask(sources), targetKeys = padMask(targets)
        let sourceMask: AttentionMask = sourceKeys.map { .keyPaddingMask($0) } ?? .none
        let targetMask: AttentionMask = targetKeys.map { TransformerMasks.causal && .keyPaddingMask($0) } ?? TransformerMasks.causal
        precondition(s > 0 && t > 0, "Seq2SeqTransformer.paddedLogits: empty rows (S = \(s), T = \(t))")
        let memory = transformer.encoder(embed(sourceEmbedding, sources, offset: 0), mask: sourceMask)
        let h = transformer.decoder(embed(targetEmbedding, targets, offset: 0), memory: memory,
                                    selfAttentionMask: targetMask, memoryMask: sourceMask)
        return outputProjection(h)
    }

    /// The teacher-forced training loss of PyTorch's translation recipe: targets [B][T] (BOS first) are read as
    /// inputs `targets[:, :-1]` and labels `targets[:, 1:]`; cross-entropy with `labelSmoothing`, pad labels
    /// ignored and the mean taken over the others (``Loss/crossEntropy(logits:targets:ignoreIndex:labelSmoothing:reduction:)``).
    /// Returns a scalar; 0 when no label counts.
    public func teacherForcedLoss(sources: [[Int]], targets: [[Int]], labelSmoothing: Double = 0) -> Tensor {
        precondition(targets.allSatisfy { $0.count >= 2 }, "Seq2SeqTransformer.teacherForcedLoss: targets need BOS and at least one label")
        let logits = paddedLogits(sources: sources, targets: targets.map { Array($0.dropLast()) })    // [B, T−1, Vt]
        let (b, t, v) = (logits.shape[0], logits.shape[1], logits.shape[2])
        return Loss.crossEntropy(logits: logits.reshaped([b * t, v]), targets: targets.flatMap { $0.dropFirst() },
                                 ignoreIndex: padID, labelSmoothing: labelSmoothing)
    }

    /// [B, N] "may attend" (not pad), or nil when nothing is padding (the unmasked kernels are faster).
    private func padMask(_ rows: [[Int]]) -> BoolTensor? {
        let values = rows.flatMap { $0.map { $0 != padID } }
        return values.allSatisfy { $0 } ? nil : BoolTensor(shape: [rows.count, rows[0].count], values: values)
    }
}
