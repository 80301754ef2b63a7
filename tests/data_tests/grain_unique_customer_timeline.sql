-- customer_timeline: one row per customer event (source, kind and reference identify it)
select customer_id, source, kind, reference_id, count(*) as n
from customer_timeline
group by customer_id, source, kind, reference_id
having count(*) > 1
