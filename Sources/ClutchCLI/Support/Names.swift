import ClutchCore

// ArgumentParser's `Flag` property wrapper and the engine's `Flag` model share a name;
// in this module `Flag` is the model and the wrapper is spelled `@ArgumentParser.Flag`.
typealias Flag = ClutchCore.Flag
