import GRDB; import Crypto; import Logging; import ClutchCore
