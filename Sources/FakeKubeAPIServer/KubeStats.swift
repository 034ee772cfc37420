/// Counters reported by `GET /_fake/stats`.
struct KubeStats {
    /// Authorized list requests (every page counts).
    var lists = 0
    /// The same, per resource (`maasmodels`, `maasmodelrefs`).
    var listsByResource: [String: Int] = [:]
    /// Authorized watch requests, including those answered with a 410 ERROR event.
    var watches = 0
    /// Requests refused with 401.
    var unauthorized = 0
    /// The `resourceVersion` parameter of the last watch request ("" when absent).
    var lastWatchVersion = ""
    /// The `limit` parameter of every list request, in order (0 when absent).
    var listPageSizes: [Int] = []

    func json(openWatches: Int) -> String {
        let byResource = listsByResource.sorted { $0.key < $1.key }.map { "\(KubeReply.quote($0.key)):\($0.value)" }
        return
            #"{"lists":\#(lists),"lists_by_resource":{\#(byResource.joined(separator: ","))},"watches":\#(watches),"open_watches":\#(openWatches),"#
            + #""unauthorized":\#(unauthorized),"last_watch_rv":\#(KubeReply.quote(lastWatchVersion)),"#
            + #""list_page_sizes":[\#(listPageSizes.map(String.init).joined(separator: ","))]}"#
    }
}
