-- The dates a user may pick: from the first day in the calendar to the build's as-of date.
select
    (select min(date_day) from calendar) as first_day,
    (select max(as_of_date) from build_info) as as_of_date
