import ClutchCore
