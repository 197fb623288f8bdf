import Testing
@testable import AttentionVisualization

@Suite("HTML captions")
struct CaptionTests {
    @Test("the page shows the heatmap's own caption when it has one, escaped; else the default; an argument wins")
    func caption() throws {
        var map = try Heatmap([[0.25, 0.75]], rowLabels: ["a"], columnLabels: ["x", "y"])
        #expect(map.html().contains("Rows: 1 queries; columns: 2 keys"))
        map.caption = "Spectrogram <top> & words"
        let page = map.html()
        #expect(page.contains("Spectrogram &lt;top&gt; &amp; words") && !page.contains("Rows: 1 queries"))
        #expect(map.html(caption: "given").contains("<figcaption>given</figcaption>"))
    }
}
