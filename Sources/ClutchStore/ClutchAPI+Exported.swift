/// The records the store returns (``FlagRecord``, ``Revision``, ``ScheduleRecord``, …) are the
/// admin API's wire types, defined once in ClutchAPI (which depends on ClutchCore only) so that
/// the server encodes and its clients decode the same types without the store's code.
/// Re-exported: code that imports the store has them as before.
@_exported import ClutchAPI
