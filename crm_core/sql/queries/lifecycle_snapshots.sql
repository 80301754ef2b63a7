-- The snapshot dates (month ends and the build's as-of date) up to the as-of date.
select distinct month_end
from lifecycle_monthly
where month_end <= $as_of
order by month_end
