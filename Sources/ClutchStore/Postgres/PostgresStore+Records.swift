import ClutchCore
import Foundation
import PostgresNIO

extension PostgresStore: ClutchStoring {}
