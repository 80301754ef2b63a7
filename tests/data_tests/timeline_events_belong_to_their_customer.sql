-- an order, review or service contact on a customer's timeline is that customer's
select t.customer_id, t.source, t.reference_id
from customer_timeline as t
left join orders on t.source = 'orders' and orders.order_id = t.reference_id
left join reviews on t.source = 'reviews' and reviews.review_id = t.reference_id
left join interactions on t.source = 'interactions' and interactions.interaction_id = t.reference_id
where (t.source = 'orders' and orders.customer_id is distinct from t.customer_id)
    or (t.source = 'reviews' and reviews.customer_id is distinct from t.customer_id)
    or (t.source = 'interactions' and interactions.customer_id is distinct from t.customer_id)
