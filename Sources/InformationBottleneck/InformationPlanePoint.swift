/// One layer at one training step in the information plane.
public struct InformationPlanePoint: Sendable, Codable, Equatable {
    /// `I(X;T)` in nats.
    public var inputInformation: Double
    /// `I(T;Y)` in nats.
    public var labelInformation: Double

    enum CodingKeys: String, CodingKey { case inputInformation = "i_xt", labelInformation = "i_ty" }

    /// A point.
    public init(inputInformation: Double, labelInformation: Double) {
        self.inputInformation = inputInformation
        self.labelInformation = labelInformation
    }
}
