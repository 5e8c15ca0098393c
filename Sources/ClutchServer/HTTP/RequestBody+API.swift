import ClutchAPI

// The API's request bodies (ClutchAPI) decode as request bodies: their `CodingKeys` name every
// field accepted, so any other top-level field is refused naming it.
extension FlagChanges: RequestBody {}
extension CohortChanges: RequestBody {}
extension KillRequest: RequestBody {}
extension RollbackRequest: RequestBody {}
extension SDKKeyCreate: RequestBody {}
extension ExplainRequest: RequestBody {}
extension WebhookCreate: RequestBody {}
extension ScheduleCreate: RequestBody {}
extension ReleaseStartRequest: RequestBody {}
extension ReleaseAbortRequest: RequestBody {}
extension EnvironmentUpdate: RequestBody {}
extension ChangeRequestEdit: RequestBody {}
extension ChangeRequestReviewCreate: RequestBody {}
extension PersonCreate: RequestBody {}
extension RoleChange: RequestBody {}
extension TokenCreate: RequestBody {}
extension CodeScanUpload: RequestBody {}
extension BlockCreate: RequestBody {}
