import ClutchCore
import Clutch
print("x")
