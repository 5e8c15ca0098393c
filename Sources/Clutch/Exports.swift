// Apps import `Clutch` alone: the context, value and result types come from the engine.
@_exported import ClutchCore
