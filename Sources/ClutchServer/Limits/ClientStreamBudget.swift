import Synchronization

/// How many client streams (`/sdk/v1/client/stream`) the server holds: at most `total` at once,
/// and at most `perAddress` from one source address.
///
/// A client key is public and shared by every copy of an app, so a cap per key would let one
/// fleet (or anyone holding its key) shut the rest of that fleet out; these two limits protect
/// the server instead and keep one address from taking the whole budget. A stream beyond either
/// is answered 429 with `Retry-After`. Behind a proxy every client has the proxy's address: give
/// `perAddress` room for all of them there.
final class ClientStreamBudget: Sendable {
    let total: Int
    let perAddress: Int

    private struct State {
        var open = 0
        var byAddress: [String: Int] = [:]
    }

    private let state = Mutex(State())

    init(total: Int, perAddress: Int) {
        self.total = total
        self.perAddress = perAddress
    }

    /// Client streams open now.
    var count: Int { state.withLock { $0.open } }

    /// Takes a place for a stream from `address`, given back when the slot is released (or
    /// deallocated); 429 when the server or the address is full.
    func reserve(address: String) throws(APIError) -> StreamSlot {
        let refusal = state.withLock { state -> APIError? in
            if state.open >= total {
                return APIError.tooManyRequests("the server has \(total) client streams open, as many as it may; try again later", retryAfter: 5)
            }
            let fromAddress = state.byAddress[address, default: 0]
            if fromAddress >= perAddress {
                return APIError.tooManyRequests("this address has \(perAddress) client streams open already", retryAfter: 10)
            }
            state.open += 1
            state.byAddress[address] = fromAddress + 1
            return nil
        }
        if let refusal { throw refusal }
        return StreamSlot { [self] in
            state.withLock { state in
                state.open -= 1
                let left = state.byAddress[address, default: 1] - 1
                state.byAddress[address] = left > 0 ? left : nil
            }
        }
    }
}
