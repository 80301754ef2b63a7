-- customer_clv has exactly one row per customer with a completed order up to the scoring date.
with scored_on as (select max(cutoff_date) as cutoff from clv_model_fit where model = 'bgnbd'),
buyers as (
    select distinct customer_id from order_facts
    where is_completed and ordered_on <= (select cutoff from scored_on)
),
counts as (select customer_id, count(*) as n from customer_clv group by customer_id)
select coalesce(buyers.customer_id, counts.customer_id) as customer_id, counts.n
from buyers
full outer join counts on counts.customer_id = buyers.customer_id
where buyers.customer_id is null or counts.n is null or counts.n <> 1
