/// The records the store returns (``FlagRecord``, ``Revision``, ``ScheduleRecord``, …) are the
/// admin API's wire types, defined once in ClutchAPI so that the CLI reads exactly what the
/// server sends without linking the store. Re-exported: code that imports the store has them as
/// before.
@_exported import ClutchAPI
