/// Sentences that int8 calibration runs through the Float32 model (SentenceEmbedder.setPrecision) to find each
/// matrix's activation range per channel. Written for this project: varied topics, lengths and punctuation, plus an
/// empty sentence (only [CLS] and [SEP]), whose activations differ most from the rest. None of them is in the
/// accuracy fixtures or the benchmark sentences.
enum CalibrationText {
    static let sentences: [String] = [
        "",
        "Hello.",
        "The train to the coast leaves at seven in the morning.",
        "She planted tomatoes, beans and a row of sunflowers behind the house.",
        "Is this the right way to the museum?",
        "Our quarterly revenue grew by 12 percent, mostly from new customers in Asia.",
        "A neural network learns its weights from examples by gradient descent.",
        "The old bridge was closed after the storm damaged its supports.",
        "Please send me the invoice by Friday.",
        "Two children were building a sandcastle while their dog chased the waves.",
        "Water boils at 100 degrees Celsius at sea level.",
        "I can't believe it's already December!",
        "The committee postponed its decision until further studies are completed.",
        "He plays the violin in a small orchestra on weekends.",
        "Compile the code, run the tests, and only then push the branch.",
        "Heavy rain is expected across the northern regions tonight.",
        "What time does the pharmacy open on Sundays?",
        "The recipe calls for two eggs, a cup of flour and a pinch of salt.",
        "Astronomers detected a faint signal from a distant galaxy.",
        "My phone battery dies before lunch every day.",
        "The defendant pleaded not guilty to all charges.",
        "A cat slept in a patch of sunlight on the kitchen floor.",
        "Attention lets each token weigh every other token in the sentence.",
        "They walked for hours through the forest without meeting anyone, and when the path finally opened onto a "
            + "valley, the village they had been looking for was nowhere to be seen.",
    ]
}
